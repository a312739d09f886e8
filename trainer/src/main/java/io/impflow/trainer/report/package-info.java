/** PNG reports drawn with JFreeChart: training curves, score histograms, ROC curves and 2D density heat-maps. */
package io.impflow.trainer.report;
