// Bot flagging by user agent with `isbot` (a maintained pattern list). User agents repeat heavily in real
// traffic, so verdicts are memoised in a bounded map: the regex runs once per distinct agent.
import { isbot } from 'isbot';

/** Tells whether a user agent is a bot; memoised. */
export interface BotDetector {
  isBot(userAgent: unknown): boolean;
}

/** Creates a detector remembering up to `cacheSize` distinct user agents (then starts over). */
export function createBotDetector(cacheSize = 10_000): BotDetector {
  const cache = new Map<string, boolean>();
  return {
    isBot(userAgent) {
      if (typeof userAgent !== 'string' || userAgent === '') return false;
      let verdict = cache.get(userAgent);
      if (verdict === undefined) {
        verdict = isbot(userAgent);
        if (cache.size >= cacheSize) cache.clear();
        cache.set(userAgent, verdict);
      }
      return verdict;
    },
  };
}
