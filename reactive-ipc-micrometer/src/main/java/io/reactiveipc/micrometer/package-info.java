/**
 * Micrometer metrics for Reactive IPC: {@link io.reactiveipc.micrometer.MicrometerIpcMetrics}, set with
 * {@code IpcConfig.builder().metrics(MicrometerIpcMetrics.recorder(registry))}.
 *
 * <p>Arguments and return values are never null unless documented.
 */
@NullMarked
package io.reactiveipc.micrometer;

import org.jspecify.annotations.NullMarked;
