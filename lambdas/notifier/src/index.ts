/** The notifier's pure core (no AWS SDK): events → observations → notices, rendering, and the sweep. */
export { episodeKey, noticeTopicArn, type Cause, type Episode, type Observation, type Observed } from "./core/model.ts";
export { endpointOfResourceName, isoInstant, observationOf } from "./core/observe.ts";
export { failingNotice, recordObservation, recoveredNotice, stepEpisode, type EpisodeStep, type RecordedObservation } from "./core/episodes.ts";
export { renderNotice } from "./core/render.ts";
export { DEFAULT_CLAIM_MS, sweepNotices, type SweepOptions, type SweepReport } from "./core/sweep.ts";
export type { DueNotice, EpisodeStore, NoticeMessage, NoticeRecorder, NoticeTable, TopicPublisher } from "./core/ports.ts";
export { InMemoryEpisodes, InMemoryNoticeTable, RecordingPublisher } from "./testing.ts";
