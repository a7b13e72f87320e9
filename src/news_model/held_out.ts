/**
 * The headlines `news:distill` holds back from training for its report, which `news:eval
 * --split heldout` scores again: those whose stable hash falls below the test fraction. By
 * headline, so a headline's coins are all on one side, and the same on every run and machine.
 */
import { unitHash } from "./cross_validation.ts";

/** Whether `headline` is held back at `testFraction`. */
export function isHeldOut(headline: string, testFraction: number): boolean {
  return unitHash(headline) < testFraction;
}
