"""Regenerate src/scalinglab/data/digits_logreg.csv: a real learning curve.

scikit-learn's bundled handwritten digits (1,797 8x8 images, offline), logistic
regression; one held-out test set (30 %, stratified, fixed) shared by every size;
training sets are nested prefixes of one shuffled order per seed (Hestness et al.
2017's recipe); sizes grow by sqrt(2) from 20 to the whole pool; 5 seeds.
Run: pip install scikit-learn && python scripts/make_example_curve.py
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_digits(return_X_y=True)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
sizes = np.unique(np.round(20 * np.sqrt(2) ** np.arange(20)).astype(int))
sizes = np.append(sizes[sizes < len(y_pool)], len(y_pool))
rows = []
for seed in range(5):
    order = np.random.default_rng(seed).permutation(len(y_pool))
    for n in sizes:
        idx = order[:n]
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(X_pool[idx], y_pool[idx])
        rows.append({"n": int(n), "seed": seed, "error": float(np.mean(model.predict(X_test) != y_test))})
out = Path(__file__).resolve().parents[1] / "src" / "scalinglab" / "data" / "digits_logreg.csv"
pd.DataFrame(rows).to_csv(out, index=False)
print(f"wrote {len(rows)} rows to {out}")
