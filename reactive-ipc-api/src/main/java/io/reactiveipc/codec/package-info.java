/**
 * Codecs: how frames become {@link io.reactiveipc.Message}s and back. Transports move delimited frames (bytes);
 * the codec of a connection's {@link io.reactiveipc.IpcConfig} decides where a frame ends and what it means.
 */
@NullMarked
package io.reactiveipc.codec;

import org.jspecify.annotations.NullMarked;
