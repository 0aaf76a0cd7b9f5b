export { startMockUpstream } from './server.ts';
export type { MockStats, MockUpstream, MockUpstreamOptions, RecordedRequest } from './server.ts';
export { MOCK_HEADERS, behaviourFromHeaders, MockHeaderError } from './behaviour.ts';
export type { MockBehaviour, MockDefaults } from './behaviour.ts';
export {
  DEFAULT_CHUNKS,
  anthropicUsageFor,
  countWords,
  mockReplyText,
  mockUsageFor,
  openaiChatUsageFor,
  openaiEmbeddingsUsageFor,
  promptWordsOf,
  replyPlanFor,
} from './usage.ts';
export type { AnthropicUsage, MockRoute, MockUsageOptions, OpenAIChatUsage, OpenAIEmbeddingsUsage, ReplyPlan } from './usage.ts';
export { startReplayUpstream } from './replay.ts';
export type { ReplayedRequest, ReplayResponse, ReplayUpstream } from './replay.ts';
