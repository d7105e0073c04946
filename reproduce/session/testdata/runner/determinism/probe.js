// probe reports what this global scope sees of the clock and the random
// sources (loaded by the page, its iframe and its worker).
function probe() {
  const randoms = [];
  for (let i = 0; i < 5; i++) randoms.push(Math.random());
  const bytes = Array.from(crypto.getRandomValues(new Uint8Array(8)));
  const now = Date.now();
  // One timeline: the performance clock read between two Date reads.
  const before = Date.now();
  const originPlusNow = performance.timeOrigin + performance.now();
  const after = Date.now();
  return {
    now,
    newDate: new Date().getTime(),
    originPlusNow,
    onTimeline: before - 1 <= originPlusNow && originPlusNow <= after + 1,
    randoms,
    bytes,
    uuid: crypto.randomUUID ? crypto.randomUUID() : '',
  };
}
