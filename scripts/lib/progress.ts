/** `12 of 40 (30%), about 2 min left`: progress with a total and an estimate, for long work on a terminal. */
export function progressLine(done: number, total: number, startedAt: number, now = Date.now()): string {
  if (total <= 0) return `${done}`;
  const percent = Math.floor((100 * done) / total);
  const elapsed = now - startedAt;
  const left = done > 0 && done < total ? ((total - done) * elapsed) / done : undefined;
  const eta = left === undefined ? "" : left < 60_000 ? `, about ${Math.max(1, Math.round(left / 1000))} s left` : `, about ${Math.round(left / 60_000)} min left`;
  return `${done} of ${total} (${percent}%)${eta}`;
}
