// The stream part of a WireFormat for providers that stream Server-Sent Events.
import { SseParser } from '../../upstream/sse.ts';
import type { WireFormat } from '../types.ts';

export const SSE_STREAM: WireFormat['stream'] = Object.freeze({
  contentType: 'text/event-stream',
  decoder: () => new SseParser(),
});
