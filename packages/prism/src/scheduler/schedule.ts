// When a dataset is due: `continuous` (every tick), `every N s|m|h`, or `cron: <expression>` (cron-parser).
import cronParser from 'cron-parser';

/** The next time at or after `after` a run is due, given the previous run's start (undefined: never ran). */
export function nextDue(schedule: string, lastRun: Date | undefined, after: Date): Date {
  if (schedule === 'continuous' || lastRun === undefined) return after;
  const every = /^every (\d+)\s*(s|seconds?|m|minutes?|h|hours?)$/.exec(schedule);
  if (every) {
    const unit = every[2]!.startsWith('h') ? 3_600_000 : every[2]!.startsWith('m') ? 60_000 : 1000;
    return new Date(Math.max(after.getTime(), lastRun.getTime() + Number(every[1]) * unit));
  }
  const cron = cronParser.parseExpression(schedule.replace(/^cron:\s*/, ''), { currentDate: lastRun, tz: 'UTC' });
  const next = cron.next().toDate();
  return next < after ? after : next;
}
