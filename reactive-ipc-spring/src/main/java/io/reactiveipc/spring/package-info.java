/**
 * Spring Boot 4 auto-configuration for Reactive IPC: {@code reactive-ipc.*} properties become an
 * {@link io.reactiveipc.IpcServer} and an {@link io.reactiveipc.IpcClient} bean, bound to Spring's Jackson
 * {@code JsonMapper}, reported by a health indicator when actuator is present, and disposed when the application
 * stops, after its web server.
 *
 * <p>Arguments and return values are never null unless documented.
 */
@NullMarked
package io.reactiveipc.spring;

import org.jspecify.annotations.NullMarked;
