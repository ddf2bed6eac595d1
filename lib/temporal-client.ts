import { Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { InterceptingCall } from '@grpc/grpc-js';
import type { TemporalSettings } from './config';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Gives every gRPC call that has no deadline of its own one `timeoutMs` from now. Without it a
 * call to a paused (SIGSTOPped, partitioned) server waits forever on an open TCP connection, and
 * the SDK's retry of UNAVAILABLE goes on for about 20 s. The retries stay, inside the deadline.
 */
export function deadlineInterceptor(timeoutMs: number): Interceptor {
  return (options, nextCall) => {
    // The next interceptor's call is an InterceptingCall at run time (grpc-js builds the chain from them).
    if (options.deadline !== undefined && options.deadline !== Infinity) return nextCall(options) as InterceptingCall;
    return nextCall({ ...options, deadline: Date.now() + timeoutMs }) as InterceptingCall;
  };
}

/**
 * Where and how to reach Temporal, in the shape both the client's `Connection` and the worker's
 * `NativeConnection` take: the address, TLS (CA, client certificate pair, server name) and the API
 * key, from the settings lib/config.ts read and checked at start (TEMPORAL_TLS*, TEMPORAL_API_KEY).
 * The one place every process (worker/main.ts, api/main.ts, scripts/start.ts) builds them.
 */
export function temporalConnection(address: string, settings?: Omit<TemporalSettings, 'namespace'>): { address: string; tls?: NonNullable<TemporalSettings['tls']>; apiKey?: string } {
  return { address, ...(settings?.tls ? { tls: settings.tls } : {}), ...(settings?.apiKey ? { apiKey: settings.apiKey } : {}) };
}

/** Connection options of a client whose every call is bounded by `rpcTimeoutMs` (the API's). */
export function boundedConnectionOptions(address: string, rpcTimeoutMs: number, settings?: Omit<TemporalSettings, 'namespace'>): ConnectionOptions {
  return {
    ...temporalConnection(address, settings),
    connectTimeout: rpcTimeoutMs,
    interceptors: [deadlineInterceptor(rpcTimeoutMs), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  };
}

/**
 * The API's Temporal connection: lazy (the process starts, and answers 503, while Temporal is
 * down; it connects on first use and reconnects by itself), every call bounded.
 */
export function connectTemporalBounded(address: string, rpcTimeoutMs: number, settings?: Omit<TemporalSettings, 'namespace'>): Connection {
  return Connection.lazy(boundedConnectionOptions(address, rpcTimeoutMs, settings));
}
