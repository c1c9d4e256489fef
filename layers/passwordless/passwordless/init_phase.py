"""Import this first in a function's app module: it turns Python's cyclic garbage collector off for
the container's init phase, and FunctionRuntime turns it back on when init ends.

Init allocates hundreds of thousands of objects (modules, AWS's service data, clients) and frees
almost none; every collection it triggers scans them only to keep them, about a tenth of a cold
start. When init ends, FunctionRuntime moves everything alive then out of the collector's sight for
good (gc.freeze) and turns it on again, so an invocation's garbage is collected as usual.
"""

import gc

gc.disable()
