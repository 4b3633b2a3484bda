/** Discord's epoch (2015-01-01T00:00:00Z): snowflakes count milliseconds from it. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Snowflake ids the way Discord builds them (time << 22 | worker | increment), so ids sort by time and
 * have the 18-19 digits discord.js's mention parser expects.
 */
export function createSnowflakes(now: () => number = Date.now): () => string {
  let increment = 0n;
  let last = 0n;
  return () => {
    let time = BigInt(now()) - DISCORD_EPOCH;
    if (time < last) time = last;
    if (time === last) {
      increment += 1n;
      // More than 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
      if (increment > 0xfffn) {
        time += 1n;
        increment = 0n;
      }
    } else increment = 0n;
    last = time;
    return ((time << 22n) | (1n << 17n) | increment).toString();
  };
}
