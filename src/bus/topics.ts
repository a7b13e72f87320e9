/** Topic names: one per stream, with an optional prefix, and a dead-letter topic beside each. */
export const TOPICS = ["trades", "candles", "features", "news", "news_signals", "predictions"] as const;
export type TopicName = typeof TOPICS[number];

export type Topics = Record<TopicName, string>;

export function topicNames(prefix = ""): Topics {
  return Object.fromEntries(TOPICS.map((t) => [t, `${prefix}${t}`])) as Topics;
}

/** Where messages that cannot be read go, with the error and their origin. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}
