"""The ground floor: money, periods, currencies and the small tools every stage uses;
imports nothing else of compplan but errors.
"""
