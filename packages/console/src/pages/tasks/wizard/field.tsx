import { Form } from 'antd';
import type { ReactNode } from 'react';
import type { PathErrors } from './wizard-validation';

/** A labelled field whose error comes from the path-keyed error map (client or server). */
export function Field({ label, path, errors, children, extra, required }: { label: ReactNode; path: string; errors: PathErrors; children: ReactNode; extra?: ReactNode; required?: boolean }) {
  const own = errors[path] ?? Object.entries(errors).find(([p]) => p.startsWith(`${path}.`) && !p.slice(path.length + 1).includes('.'))?.[1];
  return (
    <Form.Item label={label} required={required} validateStatus={own ? 'error' : undefined} help={own} extra={extra} htmlFor={path}>
      {children}
    </Form.Item>
  );
}
