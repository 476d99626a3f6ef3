import { isFinOpsError } from '../../src/core/errors';
import { formatSchedule, parseSchedule } from '../../src/core/savings/schedule';
import { runningHoursPerWeek, runningMinutes, transitions } from '../../src/core/act/weekly';
import { hostileString, mutateText, pick, seeded } from './mutate';
import type { FuzzTarget } from './target';

/**
 * Fuzz target "shutdown schedules": schedule texts as people write them ("Mon-Fri 08:00-19:00 Europe/Berlin",
 * lists, ranges that wrap, windows past midnight, several windows), mutated. A run is right when the parser answers
 * or refuses with a FinOpsError naming a fix, and what it answers is stable: written back and read again it runs the
 * same minutes of the week, its hours a week are those minutes, and its transitions alternate start / stop.
 */
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Mon-Fri', 'Sat-Sun', 'Fri-Mon', 'Daily', 'Weekdays', 'weekends', 'Mon,Wed,Fri', 'tuesday'];
const ZONES = ['', 'UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Etc/GMT+5', 'Mars/Olympus', 'Berlin'];
const TOKENS = [';', ',', '-', ':', ' ', '24:00', '00:00', '99:99', 'Mon', '/', '\t', 'Daily', 'Europe/Berlin'];

function clock(random: () => number): string {
  const h = Math.floor(random() * 25);
  const m = pick(random, [0, 0, 15, 30, 45, 59]);
  return `${String(h).padStart(pick(random, [1, 2]), '0')}:${String(h === 24 ? 0 : m).padStart(2, '0')}`;
}

export function scheduleTarget(): FuzzTarget<{ text: string; steps: string[] }> {
  return {
    name: 'shutdown schedules',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const windows = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${random() < 0.9 ? `${pick(random, DAYS)} ` : ''}${clock(random)}-${clock(random)}`);
      const base = `${windows.join('; ')} ${pick(random, ZONES)}`.trim();
      if (random() < 0.5) return { text: base, steps: [] };
      if (random() < 0.1) return { text: hostileString(random), steps: ['hostile'] };
      return mutateText(random, base, TOKENS, [{ open: ';' }, { open: '-' }]);
    },
    describe: (i) => `${JSON.stringify(i.text.slice(0, 200))} ${i.steps.join('; ')}`,
    async run(input) {
      let schedule;
      try {
        schedule = parseSchedule(input.text);
      } catch (e) {
        if (isFinOpsError(e, 'input') && e.fix) return { kind: 'refused' };
        return { kind: 'thrown', detail: String(e) };
      }
      const again = parseSchedule(formatSchedule(schedule));
      const a = runningMinutes(schedule);
      const b = runningMinutes(again);
      if (again.timeZone !== schedule.timeZone || a.some((v, i) => v !== b[i])) return { kind: 'wrong', detail: `written back as "${formatSchedule(schedule)}" it runs other minutes` };
      const hours = runningHoursPerWeek(schedule);
      if (hours <= 0 || hours > 168) return { kind: 'wrong', detail: `${hours} h a week` };
      if (hours === 168) return { kind: 'ok' };
      const list = transitions(schedule);
      const starts = list.reduce((n, t) => n + (t.action === 'start' ? t.days.length : 0), 0);
      const stops = list.reduce((n, t) => n + (t.action === 'stop' ? t.days.length : 0), 0);
      if (starts !== stops || starts === 0) return { kind: 'wrong', detail: `${starts} starts and ${stops} stops a week` };
      return { kind: 'ok' };
    },
  };
}
