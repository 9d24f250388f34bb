"""TensorFlow only: what `tf.distribute` replicas and `tf.data` pipelines need."""
