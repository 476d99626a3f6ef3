/**
 * What the dashboard page uses of the one period module (src/core/period.ts): the presets, their labels and the
 * day arithmetic of the custom period's inputs. The page imports src/shared only; this is its door to the periods.
 */
export { addDays, lastDayOf, PERIOD_PRESETS, presetLabel, type PeriodChoice, type PeriodPreset } from '../core/period';
