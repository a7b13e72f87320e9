/** Assertions on top of `node:assert/strict`, named the way the tests read. */
import assertStrict from "node:assert/strict";

export function assert(value: unknown, message?: string): asserts value {
  assertStrict.ok(value, message ?? "expected a truthy value");
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (message === undefined) assertStrict.deepStrictEqual(actual, expected);
  else assertStrict.deepStrictEqual(actual, expected, message);
}

/** Asserts |actual − expected| <= tolerance (absolute). */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  message?: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assertStrict.AssertionError({
      message: `${message ? message + ": " : ""}expected ${expected} ± ${tolerance}, got ${actual}`,
    });
  }
}

/** Asserts that `fn` throws an instance of `type` whose message contains `includes`. */
export function assertThrows(
  fn: () => unknown,
  type: new (...a: never[]) => Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (e) {
    check(e, type, includes);
    return e as Error;
  }
  throw new assertStrict.AssertionError({ message: `expected ${type.name} to be thrown` });
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  type: new (...a: never[]) => Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    check(e, type, includes);
    return e as Error;
  }
  throw new assertStrict.AssertionError({ message: `expected ${type.name} to be thrown` });
}

function check(e: unknown, type: new (...a: never[]) => Error, includes?: string) {
  if (!(e instanceof type)) {
    throw new assertStrict.AssertionError({
      message: `expected ${type.name}, got ${(e as Error)?.name}: ${e}`,
    });
  }
  if (includes !== undefined && !e.message.includes(includes)) {
    throw new assertStrict.AssertionError({
      message: `expected message to include "${includes}", got "${e.message}"`,
    });
  }
}
