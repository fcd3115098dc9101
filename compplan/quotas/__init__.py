"""Quota planning: distribute a company target over territories with an LP.

territories + history -> seasonality -> LP model -> solve -> round -> quotas (+ SMART).
"""
