/**
 * For transport implementors: what a transport provides ({@link io.reactiveipc.spi.IpcTransport},
 * {@link io.reactiveipc.spi.Link}) and what it drains ({@link io.reactiveipc.spi.OutboundQueue}). Transports
 * are found with {@link java.util.ServiceLoader}. Not stable before 1.0.
 */
@NullMarked
package io.reactiveipc.spi;

import org.jspecify.annotations.NullMarked;
