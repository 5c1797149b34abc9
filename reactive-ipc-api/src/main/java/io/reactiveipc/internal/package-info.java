/**
 * Internals shared by the modules of Reactive IPC. Not API: anything here may change in any release.
 */
@NullMarked
package io.reactiveipc.internal;

import org.jspecify.annotations.NullMarked;
