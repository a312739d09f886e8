/** The density model facade: load a model artifact and score, explain and sample records. */
package io.impflow.model;
