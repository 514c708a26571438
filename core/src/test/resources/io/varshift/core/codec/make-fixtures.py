"""Regenerates the NPY fixtures of the codec tests with numpy (run in this folder: python3 make-fixtures.py).

NpyDecoderTest checks that NpyWriter's output is byte-identical to numpy.save and that numpy's files decode.
"""
import numpy as np
from numpy.lib import format as npy_format

np.save('f4-1x2x3.npy', np.arange(6, dtype='<f4').reshape(1, 2, 3) / 4)
np.save('u1-2x2x3.npy', np.array([[0, 1, 2], [3, 128, 255]] * 2, dtype='u1').reshape(2, 2, 3))
with open('f4-v2-2x2x3.npy', 'wb') as out:
    npy_format.write_array(out, -np.arange(12, dtype='<f4').reshape(2, 2, 3), version=(2, 0))
np.save('f4-fortran-2x3.npy', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
np.save('f8-1x2x3.npy', np.zeros((1, 2, 3), dtype='<f8'))
np.save('be-f4-1x2x3.npy', np.zeros((1, 2, 3), dtype='>f4'))
