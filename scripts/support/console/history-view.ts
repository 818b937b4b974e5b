import type { DeliveryStory, HistoryFilter } from "../../lib/call-history.ts";
import { storiesFor } from "../commands/history.ts";
import type { HistorySource } from "../history-source.ts";
import type { Target } from "../target.ts";

/**
 * The console's one door to the call history: the `history` command's own code (`storiesFor`: a HistorySource, the
 * trusts' DLQs, `deliveryStories`), so a page tells each delivery's story exactly as `history` prints it, redrives,
 * replays and purges included (docs/guarantees.md 7.26, 8.20).
 */
export interface HistoryView {
  /** The stories of the deliveries the filter selects, oldest first. */
  stories(filter: HistoryFilter, signal?: AbortSignal): Promise<{ stories: DeliveryStory[]; notes: string[] }>;
}

export function historyView(options: { source: HistorySource; target: Target }): HistoryView {
  return { stories: (filter, signal) => storiesFor(options.source, options.target, filter, signal) };
}
