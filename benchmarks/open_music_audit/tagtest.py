import os, time, sys
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
for alias, t in (("float", float), ("int", int), ("complex", complex), ("bool", bool)):
    if not hasattr(np, alias): setattr(np, alias, t)
from musicnn.extractor import extractor
f = sys.argv[1]
t = time.time()
taggram, tags = extractor(f, model="MSD_musicnn", extract_features=False)
print(taggram.shape, time.time() - t)
m = taggram.mean(0); o = np.argsort(-m)[:8]
print([(tags[i], round(float(m[i]), 3)) for i in o])
