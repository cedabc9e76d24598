import { expect, it } from 'vitest';
import { createManualTime } from '../shared/time';
import { TimedQueue } from './timed-queue';

it('releases items in due order, on one timer, including items re-queued while releasing', () => {
  const time = createManualTime(0);
  const released: string[] = [];
  const queue: TimedQueue<string> = new TimedQueue(time.now, time.scheduler, (item) => {
    released.push(`${item}@${time.now()}`);
    if (item === 'a') queue.push(time.now() + 5, 'a2');
  });
  queue.push(30, 'c');
  queue.push(10, 'a');
  queue.push(20, 'b');
  expect(time.pending()).toBe(1);
  time.advance(14);
  expect(released).toEqual(['a@10']);
  time.advance(100);
  expect(released).toEqual(['a@10', 'a2@15', 'b@20', 'c@30']);
  expect(queue.size).toBe(0);
  expect(time.pending()).toBe(0);
});
