/** The versioned model artifact on disk: manifest, parameters and checksums, written atomically and verified on load. */
package io.impflow.model.artifact;
