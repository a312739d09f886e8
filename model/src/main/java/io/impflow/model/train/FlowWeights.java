package io.impflow.model.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable float64 host copy of a flow's named tensors (trainable parameters and spectral-norm state), used for
 * EMA, best-model keeping and export.
 */
public final class FlowWeights {
    private final Map<String, long[]> shapes;
    private final Map<String, double[]> values;

    /**
     * @param shapes tensor shapes by name (iteration order is kept)
     * @param values row-major float64 data by name, same names and element counts as {@code shapes}
     */
    public FlowWeights(Map<String, long[]> shapes, Map<String, double[]> values) {
        if (!shapes.keySet().equals(values.keySet())) {
            throw new IllegalArgumentException("shapes and values must name the same tensors: " + shapes.keySet()
                    + " vs " + values.keySet());
        }
        Map<String, long[]> s = new LinkedHashMap<>();
        Map<String, double[]> v = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long count = 1;
            for (long dim : e.getValue()) {
                count *= dim;
            }
            double[] data = values.get(e.getKey());
            if (data.length != count) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has shape "
                        + Arrays.toString(e.getValue()) + " but " + data.length + " values");
            }
            s.put(e.getKey(), e.getValue().clone());
            v.put(e.getKey(), data.clone());
        }
        this.shapes = Collections.unmodifiableMap(s);
        this.values = Collections.unmodifiableMap(v);
    }

    /** Tensor names in order. */
    public Set<String> names() {
        return shapes.keySet();
    }

    /** Shape of a tensor. */
    public long[] shape(String name) {
        return require(shapes, name).clone();
    }

    /** A copy of a tensor's row-major data. */
    public double[] get(String name) {
        return require(values, name).clone();
    }

    /** A copy with one tensor's data replaced (same element count). */
    public FlowWeights with(String name, double[] data) {
        Map<String, double[]> v = new LinkedHashMap<>(values);
        require(values, name);
        v.put(name, data);
        return new FlowWeights(shapes, v);
    }

    /** this + t·(other − this) per element; {@code ema.lerp(current, 1 − decay)} is one EMA step. */
    public FlowWeights lerp(FlowWeights other, double t) {
        if (!other.shapes.keySet().equals(shapes.keySet())) {
            throw new IllegalArgumentException("cannot blend weights of different structure");
        }
        Map<String, double[]> v = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            double[] a = e.getValue();
            double[] b = other.values.get(e.getKey());
            double[] c = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                c[i] = a[i] + t * (b[i] - a[i]);
            }
            v.put(e.getKey(), c);
        }
        return new FlowWeights(shapes, v);
    }

    private static <T> T require(Map<String, T> map, String name) {
        T t = map.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named " + name + "; known: " + map.keySet());
        }
        return t;
    }
}
