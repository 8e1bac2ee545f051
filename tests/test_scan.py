"""The answer scan allows what exercises need and nothing that reaches past it."""

from paramact.course.scan import problems

MODULE_ANSWER = '''
import torch


class ParamSigmoid(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.a = torch.nn.Parameter(torch.ones(n))

    def forward(self, y):
        return self.a * torch.sigmoid(y)
'''


def test_an_nn_module_answer_may_call_super_init():
    assert problems(MODULE_ANSWER) == []


def test_super_init_is_no_way_into_the_interpreter():
    assert problems("x = super().__init__.__globals__") == ["line 1: uses .__globals__"]
    assert problems("x = object.__init__") == ["line 1: uses .__init__"]
