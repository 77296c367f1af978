"""Numbers printed in the chapter's two texts (the seeds), used as data.

Each text runs the exploding-product experiment once and prints the product
of a 4×4 N(0, 1) matrix and 100 more. The claims place these printed outputs
in the law of that product.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PRINTED_PRODUCTS"]

#: "After multiplying 100 matrices", as printed by each text.
PRINTED_PRODUCTS: dict[str, np.ndarray] = {
    "mxnet": np.array(
        [
            [3.1575275e20, -5.0052276e19, 2.0565092e21, -2.3741922e20],
            [-4.6332600e20, 7.3445046e19, -3.0176513e21, 3.4838066e20],
            [-5.8487235e20, 9.2711797e19, -3.8092853e21, 4.3977330e20],
            [-6.2947415e19, 9.9783660e18, -4.0997977e20, 4.7331174e19],
        ]
    ),
    "pytorch": np.array(
        [
            [-5.4238e21, -2.0831e21, -5.4327e21, 9.9635e20],
            [-8.7594e20, -3.3629e20, -8.7729e20, 1.6102e20],
            [3.9873e20, 1.5311e20, 3.9937e20, -7.3269e19],
            [1.1302e21, 4.3360e20, 1.1317e21, -2.0801e20],
        ]
    ),
}
