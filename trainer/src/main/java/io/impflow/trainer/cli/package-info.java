/** The picocli command line: train, evaluate, score and sample, the entry point of the ./impflow launcher's offline commands. */
package io.impflow.trainer.cli;
