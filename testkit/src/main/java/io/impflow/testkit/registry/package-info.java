/** An in-process schema registry for tests and the demo: the few REST calls of the registry APIs that are used here. */
package io.impflow.testkit.registry;
