/**
 * The metrics `/metrics` exposes, by name, with their help text and labels: one list that the route
 * renders from and that the Prometheus alert rules (`infra/prometheus/alerts.yml`) are checked
 * against, so a renamed gauge cannot silently leave an alert watching a series that no longer exists.
 */

/** What one metric is: its help line and the labels every sample carries. */
export interface MetricDoc {
  help: string;
  labels: readonly string[];
}

const SERIES = ["pair", "window"] as const;

/** The per-series gauges, computed at scrape time. */
export const SERIES_GAUGES = {
  feature_lag_seconds: { help: "Age of the latest feature row.", labels: SERIES },
  predictions_realised: { help: "Predictions whose horizon has passed.", labels: SERIES },
  live_mae: {
    help: "Live mean absolute error of the close.",
    labels: [...SERIES, "predictor"],
  },
  live_interval_coverage: {
    help: "Share of realised closes inside the prediction interval of each level.",
    labels: [...SERIES, "level"],
  },
  interval_level: {
    help: "The level the interval of each nominal level is drawn at, as realised misses have moved it.",
    labels: [...SERIES, "level"],
  },
  model_info: { help: "The model version serving.", labels: [...SERIES, "version"] },
  live_skill: {
    help: "1 - MAE(champion) / MAE(naive) over the last --guard realised predictions.",
    labels: SERIES,
  },
  live_skill_rows: { help: "Realised predictions behind live_skill.", labels: SERIES },
  model_age_seconds: {
    help: "From the end of the champion's training data to now, on the market clock.",
    labels: SERIES,
  },
  model_max_age_seconds: { help: "The configured --max-model-age.", labels: SERIES },
  model_fallback: {
    help: "1 while the series serves naive instead of its champion (worse than naive, or expired).",
    labels: SERIES,
  },
  shadow_progress: {
    help: "Realised predictions of the challenger in shadow over those it needs (0..1).",
    labels: [...SERIES, "version"],
  },
  retrain_running: { help: "1 while the series is being retrained.", labels: SERIES },
} as const satisfies Record<string, MetricDoc>;

export type SeriesGauge = keyof typeof SERIES_GAUGES;

const PARTITION = ["stage", "group", "topic", "partition"] as const;

/**
 * The bus gauges, under `serve --bus kafka`: per consumer stage and partition of its input, what
 * `deno task bus status` prints, read in the background every `--bus-refresh` (src/serve/bus_metrics.ts).
 * While the cluster does not answer, only `bus_up` (0) is shown.
 */
export const BUS_GAUGES = {
  bus_up: {
    help:
      "1 when the last read of the stages' status on Kafka succeeded; 0 before the first and while the cluster does not answer.",
    labels: [],
  },
  bus_committed_offset: {
    help: "The stage's committed offset (the next message it reads); absent before its first commit.",
    labels: PARTITION,
  },
  bus_end_offset: { help: "The log end offset of the stage's input partition.", labels: PARTITION },
  bus_consumer_lag: { help: "Messages of the partition the stage has not committed yet.", labels: PARTITION },
  bus_state_offset: {
    help: "Offset of the partition's latest record in the stage's state topic; absent when it has none.",
    labels: PARTITION,
  },
  bus_checkpoint_age_seconds: {
    help: "Seconds since the partition's state was last checkpointed; absent when it never was.",
    labels: PARTITION,
  },
} as const satisfies Record<string, MetricDoc>;

export type BusGauge = keyof typeof BUS_GAUGES;

/** The request metrics the server keeps (see metrics.ts). */
export const REQUEST_METRICS = {
  http_requests_total: { help: "HTTP requests by route and status.", labels: ["route", "status"] },
  http_request_duration_seconds: { help: "Request latency by route.", labels: ["route"] },
  http_connections_timed_out_total: {
    help:
      "Connections the server closed on a time-out: no complete request in time (headers) or idle after a response (idle).",
    labels: ["timeout"],
  },
} as const satisfies Record<string, MetricDoc>;

/** Every metric name `/metrics` documents (a histogram by its base name, without `_bucket`/`_sum`/`_count`). */
export const METRIC_NAMES: readonly string[] = [
  ...Object.keys(SERIES_GAUGES),
  ...Object.keys(BUS_GAUGES),
  ...Object.keys(REQUEST_METRICS),
];
