package io.impflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Host values as tensors that torch owns, safe to keep in a training graph (see the DJL pitfall in model/API.md):
 * {@code NDManager.create} borrows a Java buffer, and {@code toType}/{@code toDevice} to the same type and device
 * only alias it, so the values are added onto a tensor torch allocated itself.
 */
public final class OwnedTensors {

    private OwnedTensors() {
    }

    /**
     * A torch-owned tensor of {@code values} with {@code like}'s dtype and device, attached to {@code manager}.
     *
     * @param manager owner of the result
     * @param values row-major values
     * @param shape the result's shape
     * @param like the tensor whose dtype and device the result takes
     * @return the tensor
     */
    public static NDArray of(NDManager manager, double[] values, Shape shape, NDArray like) {
        try (NDArray host = manager.create(values, shape);
             NDArray converted = host.toType(like.getDataType(), false).toDevice(like.getDevice(), false)) {
            return manager.zeros(shape, like.getDataType(), like.getDevice()).add(converted);
        }
    }
}
