/**
 * A fuzz target: seeded inputs (the same seed gives the same input, so any finding replays), run one at a time.
 * `ok`: a correct answer; `refused`: the product refused the input as it should (a FinOpsError saying what and
 * where); `wrong`: an answer or a refusal that breaks the target's rules; `thrown`: an error that is not a
 * FinOpsError.
 */
export type FuzzOutcome =
  | { kind: 'ok' }
  | { kind: 'refused' }
  | { kind: 'wrong'; detail: string }
  | { kind: 'thrown'; detail: string };

export interface FuzzTarget<I> {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  generate(seed: number): I;
  describe(input: I): string;
  run(input: I): Promise<FuzzOutcome>;
}
