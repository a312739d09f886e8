/** The job's typed command-line configuration, validated at start-up. */
package io.impflow.job.config;
