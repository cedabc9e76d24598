import { sql } from 'kysely';
import { createTestContainer } from '../../helpers';
for (const dialect of ['sqlite', 'postgres'] as const) {
  const tc = await createTestContainer(dialect);
  const db = tc.c.db;
  const lit = (s: string) => sql.lit(s);
  const qs = [
    db.selectFrom('deliveries').selectAll().where('profile_id', 'in', ['a', 'b']).where('state', '=', lit('queued')).where('due_at', '<=', 5).where('cap_granted', '=', 0),
    db.selectFrom('deliveries').select('id').where('state', '=', lit('queued')).where('due_at', '<=', 5).where('updated_at', '<', 3).orderBy('due_at').limit(10),
    db.selectFrom('deliveries').selectAll().where('state', '=', lit('sending')).where('sending_at', '<', 5).orderBy('sending_at').limit(10),
    db.selectFrom('deliveries').select('phone').distinct().where('phone', 'in', ['x']).where('error_code', '=', sql.lit(131049)).where('failed_at', '>=', 1),
    db.selectFrom('deliveries').selectAll().where('wamid', '=', 'w'),
    db.selectFrom('deliveries').select('profile_id').distinct().where('profile_id', 'in', ['a']).where('task_id', 'in', ['t']).where('accepted_at', 'is not', null).where('accepted_at', '>=', 3),
  ];
  for (const q of qs) {
    const c = q.compile();
    const plan = dialect === 'sqlite'
      ? tc.c.database.sqlite!.prepare('EXPLAIN QUERY PLAN ' + c.sql).all(...(c.parameters as unknown[])).map((r: any) => r.detail).join(' | ')
      : (await tc.c.database.pgPool!.query('EXPLAIN ' + c.sql, c.parameters as unknown[])).rows.map((r: any) => r['QUERY PLAN']).join(' | ');
    console.log(dialect, '::', plan.slice(0, 200));
  }
  await tc.close();
}
