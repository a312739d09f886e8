/** Flow structure: the block contract, ImpFlow and ResFlow blocks, the composed flow and standardization. */
package io.impflow.model.flow;
