"""Django's password validators, telling the user in Chinese.

Django 5.2 reworded its validators' messages and its zh_Hans catalogue has not caught
up, so a student setting a password read "This password is too short…". These
subclasses keep Django's checks and say them in Chinese (settings.AUTH_PASSWORD_VALIDATORS).
"""

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("至少 %(n)d 个字符。") % {"n": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("密码与%(verbose_name)s太相似。")

    def get_help_text(self):
        return _("不能与学号、姓名等个人信息太相似。")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("这个密码太常见，很容易被猜到。")

    def get_help_text(self):
        return _("不能是常用密码。")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("密码不能全是数字。")

    def get_help_text(self):
        return _("不能全是数字。")
