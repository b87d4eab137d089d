"""A pretrained network: musicnn rebuilt in Keras 3 (`musicnn`) and its embeddings into a scikit-learn
classifier (`transfer`), taught in notebook 11. Both import TensorFlow; import them by module."""
