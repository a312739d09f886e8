/**
 * Child JVMs of the test harnesses: launching one from a build-time classpath resource with its output in a log
 * file, stopping it, quoting its log, halting it when the test JVM is gone, and cleaning up its files.
 */
package io.impflow.testkit.process;
