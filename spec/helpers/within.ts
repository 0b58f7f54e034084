/**
 * True if `promise` settles within `ms`, false otherwise. Unlike racing a `sleep`, it clears its
 * timer, so a teardown that finished early leaves nothing for --detectOpenHandles to find.
 *
 * @example
 * ```ts
 * if (!(await within(connection.end(), 2_000))) throw new Error('end() hung');
 * ```
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
