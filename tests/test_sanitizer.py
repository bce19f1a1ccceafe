"""tests/nbval_sanitize.cfg replaces only what really varies between runs.

Strict nbval compares every text output after these rules; a rule wider than its
purpose hides real changes. Each case pairs what a rule must hide (a timing) with
what it must leave to be compared (a loss in a progress bar's postfix, an accuracy).
"""
from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from support import SANITIZE_CFG, nbval_sanitize


@pytest.mark.parametrize("first, second", [
    pytest.param("Epochs: 100%|██████████| 3/3 [00:25<00:00,  8.61s/it]",
                 "Epochs: 100%|██████████| 3/3 [01:08<00:00, 22.70s/it]", id="tqdm-elapsed-and-rate"),
    pytest.param("Epochs:  33%|███▎      | 1/3 [00:07<00:15,  1.76it/s]",
                 "Epochs:  33%|███▎      | 1/3 [00:09<00:18,  1.02it/s]", id="tqdm-remaining"),
    pytest.param("Train time on cpu: 25.825 seconds", "Train time on cpu: 154.777 seconds", id="train-time"),
    pytest.param(" cpu, batches of   32: 0.307 ms per step, 9.60 µs per image",
                 " cpu, batches of   32: 0.408 ms per step, 12.75 µs per image", id="per-step-timing"),
    pytest.param("Accuracy 88.06%\n", "Training model_2 (FashionMNISTModelV2) the course's way, 3 epochs: "
                 "models/ has no saved model_2 yet.\nTraining model_2: 100%|██| 3/3 [01:00<00:00, 20.0s/epoch]\n"
                 "Accuracy 88.06%\n", id="training-a-missing-course-model"),
])
def test_what_varies_is_hidden(first, second):
    assert nbval_sanitize(first) == nbval_sanitize(second)


@pytest.mark.parametrize("first, second", [
    pytest.param("[01:08<00:00, 22.70s/it, loss=0.325, acc=88.3]", "[01:08<00:00, 22.70s/it, loss=0.410, acc=88.3]",
                 id="loss-in-a-progress-bar"),
    pytest.param("Epochs: 100%|██████████| 3/3 [00:25<00:00,  8.61s/it]",
                 "Epochs:  67%|██████▋   | 2/3 [00:25<00:00,  8.61s/it]", id="progress-itself"),
    pytest.param("Epoch 3/3 | train loss: 0.45313, train acc: 84.21%", "Epoch 3/3 | train loss: 0.45313, train acc: 84.20%",
                 id="an-accuracy"),
    pytest.param("Training accuracy with the weights after epoch 3:  84.69%",
                 "Training accuracy with the weights after epoch 3:  84.70%", id="a-line-starting-with-training"),
])
def test_what_is_a_result_is_compared(first, second):
    assert nbval_sanitize(first) != nbval_sanitize(second)
