import pytest

pytestmark = pytest.mark.unit
