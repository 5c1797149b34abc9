/** Runnable examples: node-ipc's hello/world over a Unix socket and TCP, and ipcio's queue demo. */
@NullMarked
package io.reactiveipc.examples;

import org.jspecify.annotations.NullMarked;
