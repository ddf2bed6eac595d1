import { Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { InterceptingCall } from '@grpc/grpc-js';

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

/** Connection options of a client whose every call is bounded by `rpcTimeoutMs` (the API's). */
export function boundedConnectionOptions(address: string, rpcTimeoutMs: number): ConnectionOptions {
  return {
    address,
    connectTimeout: rpcTimeoutMs,
    interceptors: [deadlineInterceptor(rpcTimeoutMs), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  };
}

/**
 * The API's Temporal connection: lazy (the process starts, and answers 503, while Temporal is
 * down; it connects on first use and reconnects by itself), every call bounded.
 */
export function connectTemporalBounded(address: string, rpcTimeoutMs: number): Connection {
  return Connection.lazy(boundedConnectionOptions(address, rpcTimeoutMs));
}
