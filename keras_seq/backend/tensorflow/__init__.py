"""TensorFlow only: what `tf.distribute` replicas need."""
