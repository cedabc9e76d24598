/**
 * The five steps of SPEC section 3 (channel and subject, basic information, audience, trigger, delivery
 * settings) plus a summary before submitting. Each step is checked with the core's rules before moving
 * on; the server's field errors land on the same fields.
 */
import { App, Button, Card, Space, Steps } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, asPage } from '../../../api/client';
import { listChannels, listTemplates, type Channel, type TemplateRow } from '../../../api/channels';
import type { Activity, Group, Role } from '../../../api/types';
import { useSession } from '../../../auth/session';
import { LoadState } from '../../../components/page-state';
import type { RuleCatalogue } from '../../../components/rule/rule-builder';
import { useT } from '../../../i18n/i18n';
import { errorText } from '../../../lib/errors';
import { useLoad } from '../../../lib/use-load';
import { loadCatalogue } from '../../customers/catalogue-page';
import { StepAudience } from './step-audience';
import { StepBasic, StepChannel } from './step-basic';
import { StepDelivery } from './step-delivery';
import { StepTrigger } from './step-trigger';
import { Summary } from './summary';
import { initialValues, setIn, STEP_KEYS, toRequestBody, type WizardValues } from './wizard-model';
import { firstStepWithError, validateStep, type PathErrors } from './wizard-validation';

const quiet = <T,>(p: Promise<T>, fallback: T) => p.catch(() => fallback);

export interface WizardRefs {
  groups: Group[];
  activities: Activity[];
  roles: Role[];
  channels: Channel[];
  templates: TemplateRow[];
  tasks: { id: string; name: string }[];
  catalogue: RuleCatalogue;
}

export async function loadWizardRefs(): Promise<WizardRefs> {
  const [groups, activities, roles, channels, templates, tasks, cat, segments] = await Promise.all([
    quiet(api.get<Group[]>('/api/v1/groups'), []),
    quiet(api.get<Activity[]>('/api/v1/activities'), []),
    quiet(api.get<Role[]>('/api/v1/roles'), []),
    quiet(listChannels(), []),
    quiet(listTemplates(), []),
    quiet(api.get<unknown>('/api/v1/tasks', { limit: 200 }).then((r) => asPage<{ id: string; name?: string; basic?: { name?: string } }>(r).items.map((x) => ({ id: x.id, name: x.name ?? x.basic?.name ?? x.id }))), []),
    quiet(loadCatalogue(), { events: [], attributes: [], tags: [] }),
    quiet(api.get<unknown>('/api/v1/segments', { limit: 200 }).then((r) => asPage<{ id: string; name: string }>(r).items), []),
  ]);
  return { groups, activities, roles, channels, templates, tasks, catalogue: { ...cat, segments } };
}

export function TaskWizard({ refs, initial, taskId }: { refs: WizardRefs; initial: WizardValues; taskId?: string }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { timezone } = useSession();
  const [values, setValues] = useState<WizardValues>(initial);
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<PathErrors>({});
  const [busy, setBusy] = useState<'draft' | 'submit' | null>(null);
  const [id, setId] = useState(taskId);
  const key = STEP_KEYS[step] ?? 'summary';
  const set = (path: string, value: unknown) => {
    setValues((v) => setIn(v, path, value));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([p]) => !(p === path || p.startsWith(`${path}.`)))));
  };
  const ctx = () => ({ now: new Date(), timezone });

  const next = () => {
    const e = validateStep(key, values, ctx());
    setErrors(e);
    if (Object.keys(e).length === 0) setStep((s) => s + 1);
    else message.error(t('error.fixFields'));
  };
  const goTo = (target: number) => {
    if (target <= step) return setStep(target);
    for (let s = step; s < target; s++) {
      const e = validateStep(STEP_KEYS[s]!, values, ctx());
      if (Object.keys(e).length > 0) {
        setErrors(e);
        setStep(s);
        message.error(t('error.fixFields'));
        return;
      }
    }
    setStep(target);
  };

  const save = async (): Promise<string> => {
    const body = toRequestBody(values);
    if (id) {
      await api.patch(`/api/v1/tasks/${id}`, body);
      return id;
    }
    const created = await api.post<{ id: string }>('/api/v1/tasks', body);
    setId(created.id);
    return created.id;
  };
  const showServerErrors = (e: unknown) => {
    if (e instanceof ApiError && e.details.length > 0) {
      const map = Object.fromEntries(e.details.map((d) => [d.path, d.message]));
      setErrors(map);
      const s = firstStepWithError(map);
      if (s) setStep(STEP_KEYS.indexOf(s));
    }
    message.error(errorText(e, t));
  };
  const saveDraft = async () => {
    setBusy('draft');
    try {
      const savedId = await save();
      message.success(t('wizard.draftSaved'));
      navigate(`/tasks/${savedId}/edit`, { replace: true });
    } catch (e) {
      showServerErrors(e);
    } finally {
      setBusy(null);
    }
  };
  const submit = async () => {
    const e = validateStep('summary', values, ctx());
    setErrors(e);
    if (Object.keys(e).length > 0) {
      message.error(t('error.fixFields'));
      return;
    }
    setBusy('submit');
    try {
      const savedId = await save();
      await api.post(`/api/v1/tasks/${savedId}/submit`);
      message.success(t('wizard.submitted'));
      navigate(`/tasks/${savedId}`);
    } catch (err) {
      showServerErrors(err);
    } finally {
      setBusy(null);
    }
  };

  const names = {
    group: refs.groups.find((g) => g.id === values.basic.groupId)?.name,
    activity: refs.activities.find((a) => a.id === values.basic.activityId)?.name,
    channel: refs.channels.find((c) => c.id === values.delivery.channelId)?.name,
    segment: refs.catalogue.segments.find((s) => s.id === values.audience.segmentId)?.name,
  };
  const props = { values, set, errors };
  const stepTitles = [t('wizard.step.channel'), t('wizard.step.basic'), t('wizard.step.audience'), t('wizard.step.trigger'), t('wizard.step.delivery'), t('wizard.step.summary')];
  return (
    <Card title={id ? t('wizard.editTitle') : t('wizard.title')} extra={<Button onClick={() => void saveDraft()} loading={busy === 'draft'}>{t('wizard.saveDraft')}</Button>}>
      <Steps current={step} onChange={goTo} titlePlacement="vertical" size="small" items={stepTitles.map((title) => ({ title }))} style={{ marginBottom: 24 }} />
      <div data-testid={`wizard-step-${key}`} style={{ minHeight: 320 }}>
        {key === 'channel' && <StepChannel {...props} />}
        {key === 'basic' && <StepBasic {...props} groups={refs.groups} activities={refs.activities} />}
        {key === 'audience' && <StepAudience {...props} refs={refs} />}
        {key === 'trigger' && <StepTrigger {...props} catalogue={refs.catalogue} />}
        {key === 'delivery' && <StepDelivery {...props} channels={refs.channels} templates={refs.templates} />}
        {key === 'summary' && <Summary values={values} errors={errors} names={names} />}
      </div>
      <Space style={{ marginTop: 24 }}>
        {step > 0 && <Button onClick={() => setStep(step - 1)}>{t('common.previous')}</Button>}
        {key !== 'summary' && <Button type="primary" onClick={next} data-testid="wizard-next">{t('common.next')}</Button>}
        {key === 'summary' && <Button type="primary" onClick={() => void submit()} loading={busy === 'submit'} data-testid="wizard-submit">{t('wizard.submitForApproval')}</Button>}
      </Space>
    </Card>
  );
}

export function TaskWizardPage() {
  const { id } = useParams();
  const { settings } = useSession();
  const refs = useLoad(loadWizardRefs, []);
  const existing = useLoad(async () => (id ? api.get<Record<string, unknown>>(`/api/v1/tasks/${id}`) : null), [id]);
  const initial = useMemo<WizardValues | undefined>(() => {
    if (id && !existing.data) return undefined;
    const base = initialValues(settings);
    if (!existing.data) return base;
    const def = (existing.data.definition ?? existing.data) as Partial<WizardValues>;
    return { basic: { ...base.basic, ...def.basic }, audience: def.audience ?? base.audience, trigger: def.trigger ?? base.trigger, delivery: { ...base.delivery, ...def.delivery } };
  }, [id, existing.data, settings]);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(!!initial && !!refs.data), [initial, refs.data]);
  return (
    <LoadState loading={refs.loading || existing.loading} error={refs.error ?? existing.error}>
      {ready && refs.data && initial ? <TaskWizard key={id ?? 'new'} refs={refs.data} initial={initial} {...(id ? { taskId: id } : {})} /> : <div style={{ minHeight: 200 }} />}
    </LoadState>
  );
}
