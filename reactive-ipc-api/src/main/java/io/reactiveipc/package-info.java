/**
 * Reactive IPC: inter-process communication on Project Reactor, wire-compatible with node-ipc.
 *
 * <p>A connection is two streams: {@link io.reactiveipc.IpcConnection#inbound()} is a {@code Flux<Message>},
 * {@link io.reactiveipc.IpcConnection#outbound()} a {@code Sinks.Many<Message>}. Start with {@link io.reactiveipc.Ipc}
 * (node-ipc's {@code ipc} object) or with {@link io.reactiveipc.IpcServer#bind} and
 * {@link io.reactiveipc.IpcClient#connect}.
 *
 * <p>Arguments and return values are never null unless documented.
 */
@NullMarked
package io.reactiveipc;

import org.jspecify.annotations.NullMarked;
