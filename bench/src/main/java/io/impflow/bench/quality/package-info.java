/** The detection-quality suite: ImpFlow, ResFlow and peer detectors on identical ODDS splits, written as markdown tables. */
package io.impflow.bench.quality;
