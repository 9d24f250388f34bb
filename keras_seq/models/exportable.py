"""`Task.export`: Keras' `export` of the forward pass, on every backend (a mixin)."""

from keras_seq.backend import support


class ExportableTask:
    """Keras' `Model.export` with keras-seq's rules of what exports where."""

    def export(
        self,
        filepath,
        format="tf_saved_model",
        verbose=None,
        input_signature=None,
        **kwargs,
    ):
        """Exports the forward pass for inference: Keras' `export`, on every backend.

        The model's inputs are the default `input_signature` (their None
        axes, batch and time, stay dynamic); ONNX goes through
        `keras_seq.backend.support.export_onnx` (torch.export on PyTorch);
        what this backend cannot export is refused in the line of
        `keras-seq export`, naming where it works. `keras_seq.serving.
        export_model` also puts a text classifier's tokenizer in its SavedModel.

        Args:
            filepath: the SavedModel folder, or the `.onnx` file, to write.
            format: `"tf_saved_model"`, `"onnx"`, or another of Keras'.
            verbose: whether to say where the artefact was written.
            input_signature: the inputs' specs; `[model.input]` if None.
            **kwargs: the exporter's options, as for `keras.Model.export`.

        Raises:
            Unsupported: a `ValueError`, where this backend cannot export.

        Example, with an application of `keras_seq.applications`:

            model.export("model.onnx", format="onnx")
            onnxruntime.InferenceSession("model.onnx").run(None, {"token_ids": ids})
        """
        support.check_export(self, format, command=False)
        if input_signature is None:
            input_signature = [self.input]
        if format == "onnx":
            return support.export_onnx(
                self, filepath, input_signature, verbose, **kwargs
            )
        return super().export(
            filepath,
            format=format,
            verbose=verbose,
            input_signature=input_signature,
            **kwargs,
        )
